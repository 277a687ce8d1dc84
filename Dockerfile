# PopDeck: build on Debian 12, run with only the runtime libraries, as a non-root user.
FROM debian:bookworm-slim AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential pkg-config \
      libmicrohttpd-dev libsodium-dev libpq-dev libcurl4-openssl-dev libjansson-dev libgd-dev libpng-dev \
      libjpeg62-turbo-dev libwebp-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Makefile ./
COPY lib lib
COPY server server
RUN make -j"$(nproc)" build/popdeck

FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libmicrohttpd12 libsodium23 libpq5 libcurl4 libjansson4 libgd3 libpng16-16 libjpeg62-turbo libwebp7 ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home-dir /app --shell /usr/sbin/nologin popdeck
WORKDIR /app
COPY --from=build /src/build/popdeck /usr/local/bin/popdeck
COPY assets assets
COPY sql sql
USER popdeck
ENV LISTEN_ADDR=0.0.0.0:8080 SQL_DIR=/app/sql ASSETS_DIR=/app/assets
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["popdeck"]
CMD ["serve"]
