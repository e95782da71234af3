# syntax=docker/dockerfile:1
# strata in a container: the Debian package (make deb) on debian:12-slim,
# with scripts/docker-entrypoint.sh, which waits for the database and then
# runs `strata up` (or the command given).
#
#   docker build -t strata .
#   docker run --rm -v "$PWD/migrations:/migrations:ro" \
#       -e DATABASE_URL=postgres://app:secret@db:5432/app strata
#   docker run --rm ... strata status          # any strata command
#
# The first stage builds the package from this tree; a package built
# elsewhere can be used instead: put strata_*.deb in this folder and build
# with --build-arg DEB_FROM=context. CLIENTS are the client tools backup,
# restore, down and fresh run (pg_dump, psql, mariadb-dump, mariadb);
# --build-arg CLIENTS= leaves them out (then pass --no-backup to down and
# fresh).

ARG DEB_FROM=build

FROM debian:12 AS build
WORKDIR /src
COPY . .
RUN scripts/install-deps.sh build && make clean && make -j2 deb DEB_DIR=/out

FROM scratch AS deb-build
COPY --from=build /out/ /

FROM scratch AS deb-context
COPY strata_*.deb /

FROM deb-${DEB_FROM} AS deb

FROM debian:12-slim
ARG CLIENTS="postgresql-client mariadb-client"
RUN --mount=type=bind,from=deb,target=/deb \
    apt-get update && \
    apt-get install -y --no-install-recommends /deb/strata_*.deb $CLIENTS && \
    rm -rf /var/lib/apt/lists/*
COPY scripts/docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
RUN useradd --system --create-home --home-dir /work strata
USER strata
WORKDIR /work
# the folder to mount the migrations at; DATABASE_URL names the database
ENV STRATA_DIR=/migrations STRATA_WAIT_TIMEOUT=60
ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]
CMD ["up"]
