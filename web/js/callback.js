/* global document */
// callback.html: the hosted UI sends the browser here with ?code=&state= after sign-in.
import { completeLogin } from "./auth.js";

completeLogin().catch((e) => {
  document.getElementById("status").textContent = `Sign-in failed: ${e.message}`;
  document.getElementById("retry").hidden = false;
});
