/** Administrative actions on the actor's own tenant. */
import { resetTenant } from "@teleops/core";
import { z } from "zod";
import { adminProcedure, router } from "../trpc.ts";

export const adminRouter = router({
  reset: adminProcedure.input(z.object({ confirm: z.literal(true) })).mutation(async ({ ctx }) => {
    const deleted = await resetTenant(ctx.db, ctx.actor.tenantId);
    ctx.services.onChange?.({ tenantId: ctx.actor.tenantId, kind: "incidents" });
    return { deleted };
  }),
});
