/** Administrative actions on the actor's own tenant. */
import { appendAudit, resetTenant } from "@teleops/core";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { labProcedure, router } from "../trpc.ts";

export const adminRouter = router({
  /**
   * Deletes the caller's tenant's alerts and incidents (the Lab's "start over"). The caller types the tenant's
   * name to confirm, so a stray click or a script aimed at the wrong server deletes nothing. The audit trail is
   * kept and records the reset with its counts; the log says it too.
   */
  reset: labProcedure.input(z.object({ confirm: z.string().max(200) })).mutation(async ({ ctx, input }) => {
    const { tenantId } = ctx.actor;
    if (input.confirm !== tenantId) {
      throw new TRPCError({
        code: "BAD_REQUEST",
        message: `confirm: type the tenant's name "${tenantId}" to delete its data; nothing was deleted`,
      });
    }
    const deleted = await resetTenant(ctx.db, tenantId);
    await appendAudit(ctx.db, {
      tenantId,
      actor: ctx.actor.name,
      action: "tenant.reset",
      entityType: "tenant",
      entityId: tenantId,
      incidentId: null,
      details: { alerts_deleted: deleted.alerts, incidents_deleted: deleted.incidents },
    });
    ctx.services.log?.(
      { tenant: tenantId, actor: ctx.actor.name, alertsDeleted: deleted.alerts, incidentsDeleted: deleted.incidents },
      "tenant data reset",
    );
    ctx.services.onChange?.({ tenantId, kind: "incidents" });
    return { deleted };
  }),
});
