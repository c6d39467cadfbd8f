# One image for web, worker and beat (see docker-compose.yml).

# Front-end packages, from the npm registry at build time; served by us.
FROM node:20-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY bin/build-assets bin/build-assets
RUN bin/build-assets

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN useradd --system --create-home --uid 10001 caseload \
    && install -d -o caseload -m 0750 /var/lib/caseload/anchors /var/lib/caseload/documents
WORKDIR /app
COPY . .
COPY --from=assets /build/static/vendor static/vendor
# Exact versions with their hashes from the lock (see `make lock`), then
# Caseload itself without resolving its dependencies again.
RUN pip install --require-hashes -r requirements/base.txt \
    && pip install --no-deps .
# Static files are collected under production settings so the hashed file
# names match at run time. The values below exist only for this one command
# and are not kept in the image.
RUN DJANGO_ENV=production \
    SECRET_KEY=collectstatic-only-collectstatic-only-collectstatic-only \
    CASELOAD_MASTER_KEYS=build:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= \
    CASELOAD_BLIND_INDEX_KEY=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= \
    CASELOAD_CHAIN_KEYS=build:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= \
    ALLOWED_HOSTS=build DATABASE_URL=postgres://build@localhost/build REDIS_URL=redis://localhost \
    python manage.py collectstatic --noinput
USER caseload
EXPOSE 8000
CMD ["gunicorn", "caseload.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
