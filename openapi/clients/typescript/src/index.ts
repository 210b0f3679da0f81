/**
 * A typed client for the Vitae API. Paths, parameters, bodies and responses are checked
 * against the OpenAPI document (src/schema.d.ts is generated from openapi/openapi.json).
 *
 *   const vitae = createVitaeClient("http://127.0.0.1:8080", process.env.VITAE_KEY!);
 *   const { data, error } = await vitae.GET("/v1/profiles/{id}", { params: { path: { id } } });
 */
import createClient, { type Client } from "openapi-fetch";
import type { components, paths } from "./schema.js";

export type { components, paths } from "./schema.js";
export type Profile = components["schemas"]["Profile"];
export type Problem = components["schemas"]["Problem"];

export function createVitaeClient(baseUrl: string, apiKey: string): Client<paths> {
  return createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${apiKey}` } });
}
