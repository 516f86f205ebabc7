/** The tamper-evident audit trail: reviews and incident state changes, and a check of the hash chain. */
import { listAudit, verifyAudit } from "@teleops/core";
import { auditListParamsSchema } from "@teleops/schema";
import { router, viewerProcedure } from "../trpc.ts";

export const auditRouter = router({
  list: viewerProcedure
    .input(auditListParamsSchema.prefault({}))
    .query(({ ctx, input }) => listAudit(ctx.db, ctx.actor.tenantId, input)),
  verify: viewerProcedure.query(({ ctx }) => verifyAudit(ctx.db, ctx.actor.tenantId)),
});
