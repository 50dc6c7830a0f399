# 清廉助手 — production image.
#   docker build -t qinglian-bot .
#   docker run -d -v qinglian-data:/data -v $PWD/config.yaml:/config/config.yaml:ro \
#       -e BOT_TOKEN=123:abc qinglian-bot
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    BOT_CONFIG=/config/config.yaml

# CJK fonts so charts render Chinese labels.
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*

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
# Question banks, reminder texts and holidays.yaml (content.dir: /app/content) on a volume, so
# they can be updated without a new image (README: Docker); a new named volume starts as a copy.
VOLUME ["/app/content"]

CMD ["python", "-m", "bot", "run"]
