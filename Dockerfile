FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml constraints.txt ./
COPY bot ./bot
COPY workers ./workers
COPY prompts ./prompts
COPY config ./config
COPY corpus ./corpus
RUN pip install --no-cache-dir -c constraints.txt . && useradd --system --home /app scamline
USER scamline
EXPOSE 8000
CMD ["scamline", "serve", "--host", "0.0.0.0", "--port", "8000"]
