import { describe, expect, it } from "vitest";
import { ConfigError, labEnabled, loadConfig } from "./config.ts";

describe("the Lab switch (TELEOPS_LAB)", () => {
  it("is on in development and off in production unless TELEOPS_LAB says otherwise", () => {
    expect(labEnabled(loadConfig({}))).toBe(true);
    expect(labEnabled(loadConfig({ NODE_ENV: "production" }))).toBe(false);
    expect(labEnabled(loadConfig({ TELEOPS_ENV: "production" }))).toBe(false);
    expect(labEnabled(loadConfig({ TELEOPS_ENV: "production", TELEOPS_LAB: "1" }))).toBe(true);
    expect(labEnabled(loadConfig({ TELEOPS_LAB: "0" }))).toBe(false);
    expect(labEnabled(loadConfig({ TELEOPS_LAB: "off" }))).toBe(false);
  });

  it("refuses a value it cannot read, naming the variable", () => {
    expect(() => loadConfig({ TELEOPS_LAB: "maybe" })).toThrow(ConfigError);
    expect(() => loadConfig({ TELEOPS_LAB: "maybe" })).toThrow(/TELEOPS_LAB/);
  });
});
