// openid-client (Node) signs a user in against a workspace, as a strict relying party does.
//   node sign_in.mjs ISSUER CLIENT_ID CLIENT_SECRET REDIRECT_URI POST_LOGOUT_REDIRECT_URI
// Prints the authorization URL on one line; reads the callback URL the browser reached on one line
// of stdin; then exchanges the code (PKCE, nonce and state checked; the ID token's signature, iss,
// aud, exp, iat and nonce verified by the library), calls UserInfo with the expected subject and
// prints one JSON line: {"claims": ..., "userinfo": ..., "logout": URL}, the library's RP-initiated
// logout request (the ID token as hint, the return URL, a state). Any check that fails exits non-zero.
import * as client from "openid-client";
import { createInterface } from "node:readline";

const [issuer, clientId, clientSecret, redirectUri, postLogoutRedirectUri] = process.argv.slice(2);
const config = await client.discovery(new URL(issuer), clientId, clientSecret, undefined, {
  execute: [client.allowInsecureRequests], // the test server is plain HTTP on loopback
});
const verifier = client.randomPKCECodeVerifier();
const nonce = client.randomNonce();
const state = client.randomState();
const url = client.buildAuthorizationUrl(config, {
  redirect_uri: redirectUri,
  scope: "openid profile email",
  code_challenge: await client.calculatePKCECodeChallenge(verifier),
  code_challenge_method: "S256",
  nonce,
  state,
});
console.log(url.href);

const lines = createInterface({ input: process.stdin });
const callback = await new Promise((resolve) => lines.once("line", resolve));
lines.close();
const tokens = await client.authorizationCodeGrant(config, new URL(callback), {
  pkceCodeVerifier: verifier,
  expectedNonce: nonce,
  expectedState: state,
  idTokenExpected: true,
});
const claims = tokens.claims();
const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
const logout = client.buildEndSessionUrl(config, {
  id_token_hint: tokens.id_token,
  post_logout_redirect_uri: postLogoutRedirectUri,
  state: "bye-state",
});
console.log(JSON.stringify({ claims, userinfo, logout: logout.href }));
