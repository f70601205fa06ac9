import { Tooltip as TooltipPrimitive } from "radix-ui";
import type * as React from "react";

export const TooltipProvider = TooltipPrimitive.Provider;

/** A tooltip with its own provider, so that nothing at the app's root has to carry Radix's tooltip. */
export function Tooltip({ content, children }: { content: string; children: React.ReactElement }) {
  return (
    <TooltipPrimitive.Provider delayDuration={300}>
    <TooltipPrimitive.Root>
      <TooltipPrimitive.Trigger asChild>{children}</TooltipPrimitive.Trigger>
      <TooltipPrimitive.Portal>
        <TooltipPrimitive.Content sideOffset={4} collisionPadding={8} className="z-50 max-w-xs rounded-md bg-foreground px-2 py-1 text-xs text-background shadow">
          {content}
        </TooltipPrimitive.Content>
      </TooltipPrimitive.Portal>
    </TooltipPrimitive.Root>
    </TooltipPrimitive.Provider>
  );
}
