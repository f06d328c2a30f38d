export { PlacementSettings, SettingUpdate, type ConsoleSettings, type SettingKey } from "./schemas";
export { applyConsoleSettings, getConsoleSettings, setConsoleSetting, type StoredSetting } from "./settings";
