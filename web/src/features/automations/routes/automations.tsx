import { Route, Routes, useParams } from "react-router";
import { RulePage } from "./detail";
import { RuleList } from "./list";
import { NewRule } from "./new";

function RuleById() {
  const { id } = useParams();
  return <RulePage key={id} id={id!} />;
}

/** Automation rules: the list in run order, the editor for a new one, and a rule's page (editor and run log). */
export function Component() {
  return (
    <Routes>
      <Route index element={<RuleList />} />
      <Route path="new" element={<NewRule />} />
      <Route path=":id" element={<RuleById />} />
    </Routes>
  );
}
