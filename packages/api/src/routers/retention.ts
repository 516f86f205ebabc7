/** Retention of old alerts and integration events, applied now (the server also applies it every hour). */
import { appendAudit } from "@teleops/core";
import { TRPCError } from "@trpc/server";
import { adminProcedure, router } from "../trpc.ts";

export const retentionRouter = router({
  /**
   * Drops the weekly partitions of alerts and integration events older than the configured days, for every tenant
   * (partitions hold all tenants' rows): admins only. Recorded in the caller's audit trail with its counts.
   */
  run: adminProcedure.mutation(async ({ ctx }) => {
    if (!ctx.services.retention) {
      throw new TRPCError({ code: "PRECONDITION_FAILED", message: "retention is not set up on this server" });
    }
    const report = await ctx.services.retention.run();
    await appendAudit(ctx.db, {
      tenantId: ctx.actor.tenantId,
      actor: ctx.actor.name,
      action: "retention.run",
      entityType: "retention",
      entityId: "retention",
      incidentId: null,
      details: {
        dropped_partitions: report.dropped_partitions,
        alerts_removed: report.alerts_removed,
        events_removed: report.events_removed,
        skipped: report.skipped,
      },
    });
    return report;
  }),
});
