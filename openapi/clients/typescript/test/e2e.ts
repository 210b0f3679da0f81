/**
 * End-to-end: the generated client against a live server (VITAE_URL, VITAE_KEY with write
 * scope). Creates a profile, adds an experience and a skill, reads it through a mask, deletes it.
 */
import assert from "node:assert/strict";
import { createVitaeClient } from "../src/index.js";

const url = process.env.VITAE_URL ?? "http://127.0.0.1:8080";
const key = process.env.VITAE_KEY;
if (!key) throw new Error("set VITAE_KEY to an API key with write scope");
const vitae = createVitaeClient(url, key);
const externalId = `ts-e2e-${Date.now()}`;

const created = await vitae.POST("/v1/profiles", {
  body: {
    display_name: "Typed Client",
    headline: "Checks the contract",
    external_id: externalId,
    contact: { email: "typed@example.org", phone: "+1 555 0100" },
    masks: [{ name: "Recruiters", slug: "recruiters", config: { version: 1, hide: ["phone"] } }],
  },
});
assert.equal(created.response.status, 201, JSON.stringify(created.error));
const profile = created.data!;
const id = profile.id;
const etag = created.response.headers.get("etag");
assert.ok(etag, "a write returns the ETag");

const experience = await vitae.POST("/v1/profiles/{id}/experiences", {
  params: { path: { id } },
  body: { title: "Contract tester", organization: "Vitae", start_date: "2024-01-01" },
});
assert.equal(experience.response.status, 201, JSON.stringify(experience.error));
assert.equal(experience.data!.end_date, null, "a current role");

const skill = await vitae.POST("/v1/profiles/{id}/skills", {
  params: { path: { id } },
  body: { name: "TypeScript", category: "languages", level: 4 },
});
assert.equal(skill.response.status, 201, JSON.stringify(skill.error));

const duplicate = await vitae.POST("/v1/profiles/{id}/skills", { params: { path: { id } }, body: { name: "typescript" } });
assert.equal(duplicate.response.status, 409);
assert.equal(duplicate.error?.code, "conflict");
assert.deepEqual(duplicate.error?.errors?.map((e) => e.field), ["name"]);

const masked = await vitae.GET("/v1/profiles/{id}", { params: { path: { id }, query: { mask: "recruiters" } } });
assert.equal(masked.response.status, 200);
assert.equal(masked.data!.mask?.slug, "recruiters");
assert.equal(masked.data!.contact.email, "typed@example.org");
assert.equal(masked.data!.contact.phone, undefined, "the recruiters mask hides the phone");
assert.equal(masked.data!.experiences.length, 1);
assert.equal(masked.data!.skills[0]?.name, "TypeScript");

const stale = await vitae.PATCH("/v1/profiles/{id}", {
  params: { path: { id }, header: { "If-Match": etag } },
  body: { headline: "Changed" },
});
assert.equal(stale.response.status, 412, "the ETag is stale after the experience and skill were added");

const deleted = await vitae.DELETE("/v1/profiles/{id}", { params: { path: { id } } });
assert.equal(deleted.response.status, 204);
const gone = await vitae.GET("/v1/profiles/{id}", { params: { path: { id }, query: { mask: "recruiters" } } });
assert.equal(gone.response.status, 404);
assert.equal(gone.error?.code, "not_found");

console.log("TypeScript client end-to-end: ok");
