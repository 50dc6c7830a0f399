# 清廉助手 — production image.
#   docker build -t qinglian-bot .
#   docker run -d -v qinglian-data:/data -v $PWD/config.yaml:/config/config.yaml:ro \
#       -e BOT_TOKEN=123:abc qinglian-bot
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    BOT_CONFIG=/config/config.yaml

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY content ./content
RUN pip install .

# The example config works as-is once BOT_TOKEN is set; mount your own at /config/config.yaml.
COPY config.example.yaml /config/config.yaml
RUN sed -i -e 's#path: data/bot.db#path: /data/bot.db#' \
        -e 's#dir: data/backups#dir: /data/backups#' /config/config.yaml

RUN useradd --system --uid 10001 --home /app bot \
    && mkdir -p /data && chown bot /data
USER bot
VOLUME ["/data"]

CMD ["python", "-m", "bot", "run"]
