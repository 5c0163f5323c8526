# The relay, serving the panel (self-hosted mode), in one small image.
#
#   docker build -t notion-sync .
#   docker run -p 8080:8080 -e SECRET_KEY=… -e REPLIT_EXTENSION_ID=… -e PUBLIC_URL=https://… \
#     -e NOTION_CLIENT_ID=… -e NOTION_CLIENT_SECRET=… -e DATABASE_URL=postgres://… notion-sync
#
# Without DATABASE_URL the relay keeps a SQLite file in /data (mount a volume there).

FROM rust:1-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# The panel calls the relay that serves it unless RELAY_URL names another one.
ARG RELAY_URL=
ENV RELAY_URL=${RELAY_URL}
RUN cargo xtask dist && cargo build --release --package server --bin relay

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /data relay && mkdir -p /data && chown relay /data
COPY --from=build /src/target/release/relay /usr/local/bin/relay
COPY --from=build /src/target/panel /app/panel
USER relay
ENV BIND=0.0.0.0 PORT=8080 DATA_DIR=/data PANEL_DIR=/app/panel
EXPOSE 8080
CMD ["relay"]
