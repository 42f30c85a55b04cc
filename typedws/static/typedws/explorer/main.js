/**
 * The explorer's entry point: read the page's configuration, fetch the AsyncAPI document,
 * start the explorer. Loaded as `<script type="module">`; no build step, no dependencies.
 * @module main
 */

import { readContract } from "./contract.js";
import { byId } from "./dom.js";
import { Explorer } from "./explorer.js";

async function main() {
  const config = JSON.parse(byId("typedws-explorer-config").textContent);
  let contract;
  try {
    const response = await fetch(config.documentUrl, { headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
    contract = readContract(await response.json());
  } catch (error) {
    const banner = byId("banner");
    banner.textContent = `Cannot load the API's document from ${config.documentUrl}: ${error.message}`;
    banner.hidden = false;
    return;
  }
  window.typedwsExplorer = new Explorer(contract, config);
  window.typedwsExplorer.start();
}

main();
