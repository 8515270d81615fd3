# Build and run zhenggai. Used by docker-compose.yml; SQLite stays the zero-setup default
# outside containers.
FROM rust:1.95-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends libpq-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY migrations ./migrations
COPY seeds ./seeds
RUN cargo build --release --locked

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /var/lib/zhenggai --create-home zhenggai \
    && install -d -o zhenggai -g zhenggai /var/lib/zhenggai/keys
COPY --from=build /src/target/release/zhenggai /usr/local/bin/zhenggai
USER zhenggai
WORKDIR /var/lib/zhenggai
ENV ZHENGGAI_BIND=0.0.0.0:8080 RUST_LOG=info
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --retries=5 CMD curl -fsS http://127.0.0.1:8080/readyz || exit 1
ENTRYPOINT ["zhenggai"]
CMD ["serve"]
