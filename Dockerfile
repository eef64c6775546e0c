# Production image: gunicorn serves the portal; the same image runs the Celery worker and beat.
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=servicehall.settings \
    SERVICEHALL_VAR_DIR=/app/var

WORKDIR /app
COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY . .
# collectstatic needs settings to load; the key is only for this build step.
RUN SECRET_KEY=build-only-not-secret PERSONAL_DATA_KEY=build-only-not-secret python manage.py collectstatic --noinput \
    && useradd --system --uid 10001 --home /app servicehall \
    && mkdir -p /app/var && chown -R servicehall /app/var

USER servicehall
EXPOSE 8000
CMD ["gunicorn", "servicehall.wsgi:application", "--config", "python:servicehall.gunicorn_conf", "--bind", "0.0.0.0:8000", "--workers", "4", "--threads", "4"]
