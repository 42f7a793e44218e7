# One image for web, worker and beat (docker-compose.yml picks the command). Build: docker compose build
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DLGRADE_VAR_DIR=/app/var
# libseccomp2: the sandbox's syscall filter (pyseccomp); bubblewrap: FreshExecutor, the fallback
# when a zygote cannot start; nodejs/npm: the front-end build only; gettext: compilemessages.
RUN apt-get update \
 && apt-get install -y --no-install-recommends bubblewrap libseccomp2 nodejs npm gettext \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin dlgrade
WORKDIR /app
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt
# npm packages before the sources: a code change does not re-download them.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY . .
# Static files are collected (and compressed by whitenoise's production storage) into the image:
# web containers never write them. The settings need production secrets to load; the key below
# exists only during this build step (exported in this RUN's shell, not stored in the image).
RUN bash scripts/build_frontend.sh \
 && export DJANGO_ENV=production DJANGO_ALLOWED_HOSTS=build \
           DJANGO_SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(60))')" \
 && (cd platform && python ../manage.py compilemessages -l ko -v 0) \
 && python manage.py collectstatic --noinput -v 0 \
 && rm -rf node_modules
EXPOSE 8000
# The default command is the web server; the worker runs as root (the sandbox needs it, see
# docker-compose.yml), web and beat run as the unprivileged `dlgrade` user.
CMD ["gunicorn", "--chdir", "platform", "config.wsgi:application", "--bind", "0.0.0.0:8000", \
     "--workers", "2", "--threads", "4"]
