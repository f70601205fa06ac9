import { Dialog, DialogContent, DialogTitle } from "@/components/ui/dialog";
import { Navigation } from "./navigation";

/** The sidebar as a sheet on narrow screens (loaded the first time the menu button is pressed). */
export default function MobileNav({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent side="right" className="left-0 right-auto max-w-[16rem] p-0" aria-describedby={undefined}>
        <DialogTitle className="border-b p-4 text-base">Master IA</DialogTitle>
        <Navigation onNavigate={() => onOpenChange(false)} />
      </DialogContent>
    </Dialog>
  );
}
