/** A list item's controls in the editor: move up, move down, remove (named after the item, keyboard operable). */
import { ArrowDown, ArrowUp, Trash2 } from "lucide-react";
import { useTranslation } from "react-i18next";
import { Button } from "@/components/ui/button";

export function ItemControls({ name, index, count, onMove, onRemove }: { name: string; index: number; count: number; onMove?: (delta: number) => void; onRemove: () => void }) {
  const { t } = useTranslation("automations");
  return (
    <div className="flex shrink-0 gap-1">
      {onMove ? (
        <>
          <Button variant="ghost" size="icon" aria-label={t("editor.moveUp", { name })} disabled={index === 0} onClick={() => onMove(-1)}>
            <ArrowUp aria-hidden="true" />
          </Button>
          <Button variant="ghost" size="icon" aria-label={t("editor.moveDown", { name })} disabled={index === count - 1} onClick={() => onMove(1)}>
            <ArrowDown aria-hidden="true" />
          </Button>
        </>
      ) : null}
      <Button variant="ghost" size="icon" aria-label={t("editor.remove", { name })} onClick={onRemove}>
        <Trash2 aria-hidden="true" />
      </Button>
    </div>
  );
}
