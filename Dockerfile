# 清廉助手 — production image (see "Docker" in README.md).
#   docker build -t qinglian-bot .
#   docker run -d --name qinglian -e BOT_TOKEN=123:abc -v qinglian-data:/data \
#       -v "$PWD/config.yaml:/config/config.yaml:ro" qinglian-bot
FROM python:3.11-slim

# MPLCONFIGDIR: matplotlib keeps its font list there; the bot user must be able to write it.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    BOT_CONFIG=/config/config.yaml \
    MPLCONFIGDIR=/home/bot/.cache/matplotlib

WORKDIR /app

# Dependencies first, at the versions pinned in constraints.txt: this layer is rebuilt only
# when pyproject.toml or constraints.txt change, not on every change to the code.
COPY pyproject.toml constraints.txt ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install -c constraints.txt -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# Then the code; its dependencies are already installed.
COPY README.md ./
COPY bot ./bot
# Question banks, reminder texts and the holiday schedule (content.dir, a volume below).
COPY content ./content
RUN pip install --no-deps .

# The example config works as-is once BOT_TOKEN is set; mount your own at /config/config.yaml.
COPY config.example.yaml /config/config.yaml
RUN sed -i -e 's#path: data/bot.db#path: /data/bot.db#' \
        -e 's#dir: data/backups#dir: /data/backups#' /config/config.yaml

# The database, its WAL, backups and the heartbeat live in /data, readable by the bot only.
RUN useradd --system --uid 10001 --create-home --home-dir /home/bot bot \
    && mkdir -p /data && chown bot /data && chmod 700 /data
USER bot
# Build matplotlib's font list now, as the bot user, so the first chart does not pay for it.
RUN python -c "import matplotlib.font_manager"
VOLUME ["/data"]
# Question banks, reminder texts and holidays.yaml (content.dir: /app/content) on a volume, so
# they can be updated without a new image (README: Docker); a new named volume starts as a copy.
VOLUME ["/app/content"]

# Webhook mode only (telegram.webhook.port); set telegram.webhook.listen: 0.0.0.0 and publish
# it to the host's loopback for the reverse proxy: -p 127.0.0.1:8443:8443.
EXPOSE 8443

# Unhealthy when the bot stops getting updates or cannot reach its database: the running
# bot refreshes a heartbeat beside the database every 30 s, and this reads it.
HEALTHCHECK --interval=60s --timeout=15s --start-period=60s --retries=3 \
    CMD ["python", "-m", "bot", "health"]

CMD ["python", "-m", "bot", "run"]
