// Everything held about the signed-in person (the right of access and to obtain one's data), as the API's JSON document.
import { gql, graphql, type ApiEvent } from '$lib/server/api';

const MY_DATA = graphql`
  query MyData {
    myData
  }
`;

export async function fetchMyData(event: ApiEvent): Promise<string> {
  const data = await gql<{ myData: string }>(event, MY_DATA);
  return data.myData;
}
