# syntax=docker/dockerfile:1
# One image for the KYC worker (default CMD) and the webhook receiver (CMD overridden, see
# docker-compose.temporal.yml). Multi-stage: production dependencies only, the workflow bundle built at image
# build time (the worker loads it from KYC_WORKFLOW_BUNDLE instead of running webpack at start), non-root at run time.
# No secrets here: TECHNEST_API_KEY, WEBHOOK_SECRET, KYC_PAYLOAD_KEYS, TEMPORAL_API_KEY come from the environment.

ARG NODE_IMAGE=node:20.19.5-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# tsx is a runtime dependency: the processes run the TypeScript sources as they are.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM deps AS bundle
COPY tsconfig.json ./
COPY workflows ./workflows
COPY activities ./activities
COPY common ./common
COPY scripts/build-workflow-bundle.ts ./scripts/
RUN node node_modules/tsx/dist/cli.mjs scripts/build-workflow-bundle.ts dist/workflow-bundle.js

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
COPY package.json tsconfig.json ./
COPY bin ./bin
COPY workflows ./workflows
COPY activities ./activities
COPY common ./common
COPY worker ./worker
COPY webhook-receiver ./webhook-receiver
COPY codec-server ./codec-server
COPY cli ./cli
COPY client ./client
COPY --from=bundle /app/dist/workflow-bundle.js ./dist/workflow-bundle.js
# The image's files stay root-owned and read-only to the process; it runs as the unprivileged `node` user.
USER node
EXPOSE 3000 8080 9464 9465
# Readiness of the worker; the receiver's service overrides it with its own /readyz.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+process.env.KYC_HEALTH_PORT+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
STOPSIGNAL SIGTERM
# `node --import tsx`, not the tsx CLI: one process, so SIGTERM reaches the worker (the CLI would SIGKILL a busy child).
CMD ["node", "--import", "tsx", "worker/main.ts"]
