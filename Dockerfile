# syntax=docker/dockerfile:1
# clusterscribe: a static binary on distroless, running as nonroot (65532).
#
#   docker build -t ghcr.io/clusterscribe/clusterscribe:dev .
#   docker build --build-arg VERSION=v0.1.0 -t ghcr.io/clusterscribe/clusterscribe:v0.1.0 .

FROM golang:1.26 AS build
WORKDIR /src
# Modules first: they change less often than the code.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
ARG VERSION=dev
ARG COMMIT=unknown
ARG TARGETOS=linux
ARG TARGETARCH
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=${TARGETOS} GOARCH=${TARGETARCH} go build -trimpath \
      -ldflags "-s -w -X github.com/clusterscribe/clusterscribe/internal/version.Version=${VERSION} -X github.com/clusterscribe/clusterscribe/internal/version.Commit=${COMMIT}" \
      -o /out/clusterscribe ./cmd/clusterscribe

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/clusterscribe /clusterscribe
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/clusterscribe"]
CMD ["run", "--config=/etc/clusterscribe/config.yaml"]
