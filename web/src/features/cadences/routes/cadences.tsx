import { Route, Routes, useParams } from "react-router";
import { CadencePage } from "./detail";
import { CadenceList } from "./list";
import { NewCadence } from "./new";

function CadenceById() {
  const { id } = useParams();
  return <CadencePage key={id} id={id!} />;
}

/** Cadences: the list by status, the builder for a new one, and a cadence's page (builder, enrollments,
 * statistics, preview, versions). */
export function Component() {
  return (
    <Routes>
      <Route index element={<CadenceList />} />
      <Route path="new" element={<NewCadence />} />
      <Route path=":id" element={<CadenceById />} />
    </Routes>
  );
}
