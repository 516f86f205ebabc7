/** Keeps a full-page screenshot of every failed browser test and prints where it is, for the CI log. */
import { beforeEach } from "vitest";
import type { App } from "./harness.ts";

export function screenshotOnFailure(current: () => App | undefined): void {
  beforeEach(({ task, onTestFailed }) => {
    onTestFailed(async () => {
      const app = current();
      if (!app) return;
      const path = await app.screenshot(task.name);
      console.error(`screenshot of the failed test "${task.name}": ${path}`);
    });
  });
}
