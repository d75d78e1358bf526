# syntax=docker/dockerfile:1
# Stage 1: the console (TypeScript, Vite).
FROM node:20-bookworm-slim AS console
WORKDIR /src/console
COPY console/package.json console/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY console/ ./
RUN npm run build

# Stage 2: the Go binary with the console embedded.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
COPY --from=console /src/console/dist ./console/dist
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/livedeck ./cmd/livedeck

# Stage 3: a small runtime image, non-root.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/livedeck /usr/local/bin/livedeck
USER nonroot:nonroot
EXPOSE 8080
ENV LIVEDECK_ADDR=0.0.0.0:8080
ENTRYPOINT ["/usr/local/bin/livedeck"]
CMD ["serve"]
