"""Redis and the RQ queues, shared by the web, the services and the workers.

Redis carries work, never truth: the database says what remains to be done.

- `connections`: the Redis clients (the web's short timeouts, a worker's patient retries);
- `queues`: queue names, job ids, retries and every enqueue, checks of which jobs still wait;
- `rq_pipeline`: an RQ job in one round trip, or from an event loop (RQ's pipeline trick);
- `liveness`: which workers are alive (each refreshes a short-lived key);
- `job_metrics`: job failures and retries, counted in Redis for the web's /metrics.
"""
