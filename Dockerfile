# One image for web, worker and beat (the command differs). Build: docker compose build
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends bubblewrap libseccomp2 nodejs npm gettext \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN if [ -f package.json ]; then npm ci --no-audit --no-fund && bash scripts/build_frontend.sh; fi \
 && DJANGO_SECRET_KEY=build-only python manage.py collectstatic --noinput --settings=config.settings
EXPOSE 8000
CMD ["gunicorn", "--chdir", "platform", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
