/** The frame around every page: product name, navigation, and the page itself. */
import { NavLink, Outlet, useLocation } from "react-router";
import { useLiveUpdates } from "../lib/live.ts";
import { roleAllows, useSession } from "../lib/session.ts";
import { AlertDrawerHost } from "./AlertDrawerHost.tsx";
import { SessionBadge } from "./SessionGate.tsx";

const NAV = [
  { to: "/", label: "Incidents", matches: (path: string) => path === "/" || path.startsWith("/incidents") },
  { to: "/silences", label: "Silences", matches: (path: string) => path.startsWith("/silences") },
  {
    to: "/observability",
    label: "Observability",
    matches: (path: string) => path.startsWith("/observability") || path.startsWith("/overview"),
  },
  { to: "/audit", label: "Audit", matches: (path: string) => path.startsWith("/audit") },
  { to: "/integrations", label: "Integrations", matches: (path: string) => path.startsWith("/integrations") },
  { to: "/import", label: "Import", matches: (path: string) => path.startsWith("/import") },
  { to: "/evaluation", label: "Evaluation", matches: (path: string) => path.startsWith("/evaluation") },
] as const;

/** The Lab (demo data and reset) is for admins, and only on servers that run it; it sits apart, last. */
const LAB = {
  to: "/lab",
  label: "Lab",
  matches: (path: string) => path.startsWith("/lab") || path.startsWith("/generate"),
};

export function AppShell() {
  const { pathname } = useLocation();
  const session = useSession();
  useLiveUpdates();
  const showLab = session?.lab === true && roleAllows(session.role, "admin");
  const nav = showLab ? [...NAV, LAB] : NAV;
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <NavLink to="/" className="brand" aria-label="TeleOps home">
          <span className="brand__mark" aria-hidden="true" />
          TeleOps
        </NavLink>
        <nav aria-label="Main" className="nav">
          {nav.map((item) => {
            // The incident detail belongs to Incidents, which NavLink's own matching would not see.
            const active = item.matches(pathname);
            return (
              <NavLink
                key={item.to}
                to={item.to}
                className={active ? "nav__link nav__link--active" : "nav__link"}
                aria-current={active ? "page" : undefined}
                data-testid={`nav-${item.label.toLowerCase()}`}
              >
                {item.label}
              </NavLink>
            );
          })}
        </nav>
        <SessionBadge />
      </header>
      <main id="main" className="main" tabIndex={-1}>
        <Outlet />
      </main>
      {/* Any page's alert rows open the drawer through `?alert=<id>`. */}
      <AlertDrawerHost />
    </div>
  );
}
