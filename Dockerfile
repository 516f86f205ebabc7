# TeleOps container image: build the SPA with pnpm, then run the server as a non-root user with only the
# server's production dependencies. Workspace packages ship TypeScript sources that tsx loads at run time.
ARG NODE_IMAGE=node:20-bookworm-slim
ARG PNPM_VERSION=10.34.9

FROM ${NODE_IMAGE} AS build
ARG PNPM_VERSION
WORKDIR /src
RUN npm i -g pnpm@${PNPM_VERSION}
COPY . .
RUN pnpm install --frozen-lockfile && pnpm --filter @teleops/web build

FROM ${NODE_IMAGE} AS runtime
ARG PNPM_VERSION
ENV NODE_ENV=production \
    TELEOPS_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    TELEOPS_DATA_DIR=/data \
    TELEOPS_WEB_DIST=/app/apps/web/dist
WORKDIR /app
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
COPY patches ./patches
COPY packages ./packages
COPY apps/server ./apps/server
COPY apps/cli ./apps/cli
COPY apps/web/package.json ./apps/web/package.json
COPY fixtures ./fixtures
COPY --from=build /src/apps/web/dist ./apps/web/dist
RUN npm i -g pnpm@${PNPM_VERSION} \
 && pnpm install --prod --frozen-lockfile --filter "@teleops/server..." --filter "@teleops/cli..." \
 && npm rm -g pnpm && npm cache clean --force \
 && mkdir -p /data && chown node:node /data
USER node
EXPOSE 3000
VOLUME ["/data"]
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/readyz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
WORKDIR /app/apps/server
CMD ["node", "--import", "tsx", "src/main.ts"]
