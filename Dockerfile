# syntax=docker/dockerfile:1
# One image for the KYC worker (default CMD) and the webhook receiver (CMD overridden, see
# docker-compose.temporal.yml). Multi-stage: the package built once (`npm run build`: the compiled JavaScript and the
# prebuilt workflow bundle, which the worker loads from KYC_WORKFLOW_BUNDLE instead of running webpack at start),
# production dependencies only at run time, no TypeScript loader, non-root.
# No secrets here: TECHNEST_API_KEY, WEBHOOK_SECRET, KYC_PAYLOAD_KEYS, TEMPORAL_API_KEY come from the environment.

# Node 24, the current LTS. Node 20 (end of life April 2026) still builds: --build-arg NODE_IMAGE=node:20.19.5-bookworm-slim
ARG NODE_IMAGE=node:24.19.0-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY workflows ./workflows
COPY activities ./activities
COPY common ./common
COPY client ./client
COPY worker ./worker
COPY webhook ./webhook
COPY webhook-receiver ./webhook-receiver
COPY codec-server ./codec-server
COPY cli ./cli
COPY sandbox ./sandbox
COPY tracing ./tracing
COPY scripts/build.ts scripts/build-workflow-bundle.ts scripts/toolchain.ts ./scripts/
RUN npm run build

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    KYC_WORKFLOW_BUNDLE=/app/dist/workflow-bundle.js \
    KYC_OPS_HOST=0.0.0.0 \
    KYC_HEALTH_PORT=8080 \
    KYC_METRICS_PORT=9464 \
    WEBHOOK_HOST=0.0.0.0 \
    WEBHOOK_PORT=3000 \
    WEBHOOK_METRICS_PORT=9465 \
    LOG_LEVEL=info
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY --from=build /app/dist ./dist
# The image's files stay root-owned and read-only to the process; it runs as the unprivileged `node` user.
USER node
EXPOSE 3000 8080 9464 9465
# Readiness of the worker; the receiver's service overrides it with its own /readyz.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+process.env.KYC_HEALTH_PORT+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
STOPSIGNAL SIGTERM
# `node` itself, one process, so SIGTERM reaches the worker and it drains (no wrapper that could SIGKILL a busy child).
CMD ["node", "dist/worker/main.js"]
