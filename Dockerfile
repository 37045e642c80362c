# The flagship in local-server mode. Configure a real issuer when you run it:
#   docker run -p 8080:8080 -e AUTH0_DOMAIN=tenant.eu.auth0.com \
#     -e AUTH0_AUDIENCE=https://api.example.com fnguard
# Without an issuer the development issuer starts and binds to 127.0.0.1
# only (it hands out admin tokens); add -e HOST=0.0.0.0 -e DEV_ISSUER_EXPOSE=true
# to reach it, in development only.
#
# Image names are fully qualified, so podman and other engines without
# Docker's short-name alias table build this file as it is.
#
# Tags move. For a reproducible build, pin each image by digest: look it up
#   docker buildx imagetools inspect docker.io/library/golang:1.26-bookworm
#   (or: skopeo inspect docker://docker.io/library/golang:1.26-bookworm)
# and write the tag with its digest, e.g.
#   FROM docker.io/library/golang:1.26-bookworm@sha256:<digest> AS build
# then let a bot (Renovate, Dependabot) propose digest updates.
FROM docker.io/library/golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/fnguard .

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/fnguard /fnguard
ENV PORT=8080
EXPOSE 8080
USER nonroot:nonroot
ENTRYPOINT ["/fnguard"]
