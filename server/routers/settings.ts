/** Console settings: what is configured (never a secret) and the admin-editable values. */
import { getConsoleSettings, setConsoleSetting, SettingUpdate } from "../../lib/settings";
import { describeSystems } from "../systems";
import { adminProcedure, router, viewerProcedure } from "../trpc";

export const settingsRouter = router({
  get: viewerProcedure.query(async ({ ctx }) => {
    const { settings, stored } = await getConsoleSettings(await ctx.core(), ctx.deps.coreConfig);
    return { ...settings, stored, systems: describeSystems(ctx.deps) };
  }),
  set: adminProcedure.input(SettingUpdate).mutation(async ({ ctx, input }) => {
    await setConsoleSetting(await ctx.core(), input);
    const { settings } = await getConsoleSettings(await ctx.core(), ctx.deps.coreConfig);
    return settings;
  }),
});
