/** The small Radix controls, one file each (so a screen's chunk carries only the ones it uses). */
export { Checkbox } from "./checkbox";
export { Popover, PopoverContent, PopoverTrigger } from "./popover";
export { Progress } from "./progress";
export { Switch } from "./switch";
export { Tooltip, TooltipProvider } from "./tooltip";
