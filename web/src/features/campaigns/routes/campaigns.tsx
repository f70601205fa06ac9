import { Route, Routes, useParams } from "react-router";
import { CampaignList } from "./list";
import { CampaignPage } from "./detail";
import { DeadLetters } from "./dead-letters";
import { NewCampaign } from "./new";

function CampaignById() {
  const { id } = useParams();
  return <CampaignPage key={id} id={id!} />;
}

/** Campaigns: the list by state, the creation wizard, a campaign's live page, and the dead letters. */
export function Component() {
  return (
    <Routes>
      <Route index element={<CampaignList />} />
      <Route path="new" element={<NewCampaign />} />
      <Route path="dead-letters" element={<DeadLetters />} />
      <Route path=":id" element={<CampaignById />} />
    </Routes>
  );
}
