# The image that `runproof schedule --print-k8s --image IMAGE` CronJobs run:
#   docker build -t REGISTRY/runproof:0.1.0 . && docker push REGISTRY/runproof:0.1.0
# Its entrypoint is runproof (package.json "bin"); the CronJob passes `checklist run ...`.
# Shell cells get bash, curl, jq; bubblewrap sandboxes read cells where the cluster allows it.

FROM node:20-slim AS build
WORKDIR /opt/runproof
COPY package.json package-lock.json tsconfig.json ./
COPY src ./src
COPY scripts ./scripts
COPY templates ./templates
COPY schema ./schema
COPY notebooks ./notebooks
# `npm ci` runs the prepare script, which builds dist/ (tsc, then the CLI bundle by
# scripts/build-cli.mjs with esbuild); then drop the dev dependencies.
RUN npm ci && npm prune --omit=dev

FROM node:20-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends bash curl jq bubblewrap ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/runproof
COPY --from=build /opt/runproof/package.json ./package.json
COPY --from=build /opt/runproof/node_modules ./node_modules
COPY --from=build /opt/runproof/dist ./dist
COPY --from=build /opt/runproof/templates ./templates
COPY --from=build /opt/runproof/schema ./schema
COPY --from=build /opt/runproof/notebooks ./notebooks
RUN ln -s /opt/runproof/dist/cli/main.js /usr/local/bin/runproof \
 && mkdir -p /evidence /etc/runproof \
 && chown node:node /evidence
ENV NODE_ENV=production NO_COLOR=1
# The printed CronJob mounts the checklists at /etc/runproof and the evidence volume at /evidence.
VOLUME ["/evidence"]
USER node
WORKDIR /etc/runproof
ENTRYPOINT ["node", "/opt/runproof/dist/cli/main.js"]
CMD ["--help"]
