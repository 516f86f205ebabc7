/**
 * The signed-in user's API token, kept in this tab's session storage only: it is gone when the tab closes
 * and never shared with other tabs or written to disk by the page.
 */
const STORAGE_KEY = "teleops.token";

export function readToken(): string | null {
  try {
    return window.sessionStorage.getItem(STORAGE_KEY);
  } catch {
    // Storage can be disabled (private mode, strict policies); the SPA then runs without a token.
    return null;
  }
}

export function saveToken(token: string): void {
  try {
    // Earlier versions kept the token in local storage; it must not outlive the session there either.
    window.localStorage.removeItem(STORAGE_KEY);
    if (token.trim() === "") window.sessionStorage.removeItem(STORAGE_KEY);
    else window.sessionStorage.setItem(STORAGE_KEY, token.trim());
  } catch {
    // Nothing to do: without storage the token cannot outlive the page.
  }
}

export function clearToken(): void {
  saveToken("");
}
