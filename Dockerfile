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
 && useradd --system --home-dir /app --shell /usr/sbin/nologin popdeck \
 && install -d -o popdeck -g popdeck -m 755 /var/lib/popdeck /var/lib/popdeck/cards
WORKDIR /app
COPY --from=build /src/build/popdeck /usr/local/bin/popdeck
COPY assets assets
COPY sql sql
USER popdeck
# /app belongs to root: the rendered cards (and their source art) go to a volume the user owns.
ENV LISTEN_ADDR=0.0.0.0:8080 SQL_DIR=/app/sql ASSETS_DIR=/app/assets CARDS_DIR=/var/lib/popdeck/cards
VOLUME /var/lib/popdeck/cards
EXPOSE 8080
# The port from LISTEN_ADDR, so the check follows a container told to listen elsewhere.
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD curl -fsS "http://127.0.0.1:${LISTEN_ADDR##*:}/healthz" || exit 1
ENTRYPOINT ["popdeck"]
CMD ["serve"]
