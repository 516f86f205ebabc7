/** What the network topology knows about hosts, for the incident page's affected-devices card. */
import { describeHosts } from "@teleops/core";
import { z } from "zod";
import { router, viewerProcedure } from "../trpc.ts";

export const topologyRouter = router({
  devices: viewerProcedure
    .input(z.object({ hosts: z.array(z.string().min(1).max(255)).max(2_000) }))
    .query(({ ctx, input }) => describeHosts(ctx.services.topology, input.hosts)),
});
