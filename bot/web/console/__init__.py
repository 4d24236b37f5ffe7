"""The analysts' console: server-rendered pages under /console/."""
