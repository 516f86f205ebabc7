import { describe, expect, it } from "vitest";
import { parseQueueFilters, searchInput, toSearchParams } from "./queueFilters.ts";

describe("the queue's search in the URL", () => {
  it("keeps text, site, service, owner and both time ranges across a reload", () => {
    const url = new URLSearchParams(
      "text=203.0.113.69&site=fra1&service=backbone&owner=olga&started_from=2026-11-20T08:00:00.000Z&last_to=2026-11-21T00:00:00.000Z",
    );
    const filters = parseQueueFilters(url);
    expect(searchInput(filters)).toEqual({
      site: "fra1",
      service: "backbone",
      owner: "olga",
      startedFrom: "2026-11-20T08:00:00.000Z",
      lastAlertTo: "2026-11-21T00:00:00.000Z",
    });
    expect(filters.text).toBe("203.0.113.69");
    expect(parseQueueFilters(toSearchParams(filters))).toEqual(filters);
  });

  it("reads a time without a zone as UTC and drops one that is not a time", () => {
    const filters = parseQueueFilters(new URLSearchParams("started_to=2026-11-20T08:30&last_from=yesterday"));
    expect(filters.startedTo).toBe("2026-11-20T08:30:00.000Z");
    expect(filters.lastAlertFrom).toBe("");
    expect(toSearchParams(filters).has("last_from")).toBe(false);
  });

  it("leaves unset filters out of the URL and of the request", () => {
    const filters = parseQueueFilters(new URLSearchParams(""));
    expect(toSearchParams(filters).toString()).toBe("");
    expect(searchInput(filters)).toEqual({});
  });
});
