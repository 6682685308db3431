FROM python:3.11-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
      libharfbuzz-subset0 fonts-dejavu-core && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV STATIC_ROOT=/app/staticfiles PYTHONUNBUFFERED=1
COPY pyproject.toml constraints.txt ./
COPY . .
RUN pip install --no-cache-dir --constraint constraints.txt . \
 && PACTE_ENV=production SECRET_KEY=collectstatic-uniquement-000000000000000000000000000000000 \
    ALLOWED_HOSTS=localhost DATABASE_URL=postgres://x@localhost/x CELERY_BROKER_URL=redis://localhost \
    python manage.py collectstatic --noinput
RUN useradd --system pacte && mkdir -p /var/lib/pacte && chown pacte /var/lib/pacte
USER pacte
EXPOSE 8000
