# Production image for the LOTI Network Portal: web (gunicorn), Celery worker and beat.
# Build: docker compose build   (see docker-compose.yml; configuration comes from .env)
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    WEB_CONCURRENCY=3

WORKDIR /app

# An unprivileged user runs every process; it owns only var/ (static files, beat schedule,
# session materials).
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home --shell /usr/sbin/nologin app

# Certificates of attendance print names in DejaVu Sans (Latin, Greek, Cyrillic and more letters).
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# Dependencies first, so code changes reuse this layer. psycopg[binary] brings its own libpq.
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .

# Static files are collected into the image (whitenoise serves them with hashed names).
# The values below exist only for this build step; the running containers get theirs from .env.
RUN mkdir -p var/beat var/materials \
    && DEBUG=false \
       SECRET_KEY=build-only-collectstatic-key-not-used-at-run-time \
       ALLOWED_HOSTS=localhost \
       SITE_URL=http://localhost \
       DATABASE_URL=sqlite:////tmp/collectstatic.sqlite3 \
       python manage.py collectstatic --noinput \
    && rm -f /tmp/collectstatic.sqlite3 \
    && chown -R app:app var

USER app

EXPOSE 8000

# Workers: WEB_CONCURRENCY (gunicorn reads it). Logs go to stdout/stderr.
CMD ["gunicorn", "loti_portal.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-", "--timeout", "30"]
