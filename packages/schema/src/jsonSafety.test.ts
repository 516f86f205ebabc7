import { describe, expect, it } from "vitest";
import { findUnsafeJson, jsonTextTooDeep, MAX_JSON_DEPTH } from "./jsonSafety.ts";
import { usersFileSchema } from "./users.ts";

describe("JSON safety checks", () => {
  it("finds nesting deeper than 64 levels in text, ignoring brackets inside strings, on text and bytes", () => {
    const nested = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;
    expect(jsonTextTooDeep(nested(MAX_JSON_DEPTH))).toBe(false);
    expect(jsonTextTooDeep(nested(MAX_JSON_DEPTH + 1))).toBe(true);
    expect(jsonTextTooDeep(Buffer.from(nested(500_000)))).toBe(true);
    expect(jsonTextTooDeep(JSON.stringify({ message: "[".repeat(1_000), quote: 'say "[[[["' }))).toBe(false);
    expect(jsonTextTooDeep(Buffer.from(JSON.stringify({ host: "ümlaut-[{", note: "\\[" })))).toBe(false);
  });

  it("names the path of a NUL, a prototype key, an unpaired surrogate or too deep a value", () => {
    expect(findUnsafeJson({ alerts: [{ message: "a\u0000b" }] })).toEqual({
      path: ["alerts", 0, "message"],
      kind: "nul",
      message: "contains \\u0000 (NUL)",
    });
    expect(findUnsafeJson({ tags: { site: "a", "b\u0000": "c" } })?.path).toEqual(["tags", "b\u0000"]);
    expect(findUnsafeJson({ message: "a\u0000b" }, { allowNul: true })).toBeUndefined();
    for (const key of ["__proto__", "constructor", "prototype"]) {
      expect(findUnsafeJson(JSON.parse(`{"tags":{"${key}":{"x":1}}}`))?.path).toEqual(["tags", key]);
    }
    expect(findUnsafeJson({ text: "x\ud800" })?.message).toContain("unpaired UTF-16 surrogate");
    expect(findUnsafeJson({ list: ["ok", "\udc00y"] })).toMatchObject({ path: ["list", 1], kind: "surrogate" });
    expect(findUnsafeJson({ text: "emoji 😀 and ümlaut" })).toBeUndefined();
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(findUnsafeJson(deep)?.message).toBe("nested deeper than 64 levels");
  });
});

describe("users file schema", () => {
  const hash = "a".repeat(64);
  it("refuses duplicate names and a token used twice, with the path of each", () => {
    const parsed = usersFileSchema.safeParse({
      users: [
        { name: "ada", role: "admin", tenant: "acme", token_sha256: hash },
        { name: "ada", role: "viewer", tenant: "acme", token_sha256: "b".repeat(64) },
      ],
      webhook_tokens: [{ tenant: "acme", token_sha256: hash }],
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.path.join("."))).toEqual([
      "users.1.name",
      "webhook_tokens.0.token_sha256",
    ]);
  });

  it("gives a webhook token every token route when it names none", () => {
    const parsed = usersFileSchema.parse({ webhook_tokens: [{ tenant: "acme", token_sha256: hash }] });
    expect(parsed).toEqual({
      users: [],
      webhook_tokens: [{ tenant: "acme", token_sha256: hash, sources: ["alerts", "alertmanager", "servicenow"] }],
    });
  });
});
