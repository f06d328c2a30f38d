/** User management, for admins. The last enabled admin cannot be demoted, disabled or deleted. */
import { z } from "zod";
import { createUser, deleteUser, listUsers, PASSWORD_MAX_LENGTH, resetUserPassword, ROLES, setUserDisabled, setUserRole } from "../../lib/auth";
import { adminProcedure, router } from "../trpc";

const username = z.string().min(1).max(64);
const role = z.enum(ROLES);
const password = z.string().min(1).max(PASSWORD_MAX_LENGTH);

export const usersRouter = router({
  list: adminProcedure.query(async ({ ctx }) => listUsers(await ctx.core())),
  create: adminProcedure.input(z.object({ username, password, role })).mutation(async ({ ctx, input }) => createUser(await ctx.core(), input)),
  setRole: adminProcedure.input(z.object({ username, role })).mutation(async ({ ctx, input }) => setUserRole(await ctx.core(), input)),
  setDisabled: adminProcedure.input(z.object({ username, disabled: z.boolean() })).mutation(async ({ ctx, input }) => setUserDisabled(await ctx.core(), input)),
  resetPassword: adminProcedure.input(z.object({ username, password })).mutation(async ({ ctx, input }) => resetUserPassword(await ctx.core(), input)),
  remove: adminProcedure.input(z.object({ username })).mutation(async ({ ctx, input }) => deleteUser(await ctx.core(), input)),
});
