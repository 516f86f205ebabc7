/** Who is signed in (from `session.whoami`), what their role allows, and the moment a session ends mid-way. */
import { useQuery } from "@tanstack/react-query";
import { USER_ROLES, type UserRole } from "@teleops/schema";
import { TRPCClientError } from "@trpc/client";
import { createContext, useContext } from "react";
import { trpc } from "../trpc.ts";

export interface Session {
  name: string;
  role: UserRole;
  tenant: string;
  auth_mode: "users" | "local-admin";
  /** The server runs the Lab (generated demo data, reset): off in production unless TELEOPS_LAB=1. */
  lab: boolean;
}

export const SessionContext = createContext<Session | null>(null);

/** The signed-in user, or null before the server has said who that is. */
export function useSession(): Session | null {
  return useContext(SessionContext);
}

export function roleAllows(role: UserRole, minimum: UserRole): boolean {
  return USER_ROLES.indexOf(role) >= USER_ROLES.indexOf(minimum);
}

/** Whether the signed-in user may do what needs `minimum`; true while unknown, the server decides anyway. */
export function useCan(minimum: UserRole): boolean {
  const session = useSession();
  return session === null || roleAllows(session.role, minimum);
}

export function useWhoami() {
  return useQuery(trpc.session.whoami.queryOptions(undefined, { staleTime: 60_000, retry: false }));
}

export function isUnauthorized(error: unknown): boolean {
  if (!(error instanceof TRPCClientError)) return false;
  const data: unknown = error.data;
  return typeof data === "object" && data !== null && Reflect.get(data, "code") === "UNAUTHORIZED";
}
