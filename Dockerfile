# syntax=docker/dockerfile:1
# The native parts of the todo app in one small image: image-sidecar (the daily image volume's
# owner) and migrate (schema migrations, run as a Job before each rollout). The Spin components
# ship separately as an OCI artifact (`spin registry push`).

# Base images by digest (their tags move): the digests public projects pinned for these tags,
# read where DEPLOY.md says; renew both together.
FROM rust:1.95-slim-bookworm@sha256:d7482085ff5b415f84dba5647ae71606650bdef00db7aeb69f4b3d170c3e4082 AS build
WORKDIR /src
# The whole workspace: cargo needs every member's manifest to resolve the lock file.
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked -p image-sidecar -p migrate \
    && install -D -m 0755 target/release/image-sidecar target/release/migrate -t /out/

# glibc, libgcc, CA certificates and a non-root user (65532), nothing else: no shell.
FROM gcr.io/distroless/cc-debian12:nonroot@sha256:9dac0a79194e45a7da0158a9c6da57b217585af0786db3845d1f0ec1a0dd182f
COPY --from=build /out/ /usr/local/bin/
USER 65532:65532
EXPOSE 8081
ENV IMAGE_LISTEN=0.0.0.0:8081 IMAGE_DATA_DIR=/data
CMD ["/usr/local/bin/image-sidecar"]
