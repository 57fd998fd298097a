//! A page of a list, as the queries take it: validated by the web edge (`web::list`) from
//! `?page=&per_page=&q=&sort=`, applied by each area's store.

/// A validated page request.
#[derive(Debug, Clone)]
pub struct PageRequest {
    pub page: i64,
    pub per_page: i64,
    /// The `LIKE` pattern of `q`, if given and not blank.
    pub like: Option<String>,
    /// `q` itself, lower-cased, for searching in memory.
    pub needle: Option<String>,
    /// The chosen sort key and whether it is descending.
    pub sort: Option<(String, bool)>,
}

impl PageRequest {
    pub fn offset(&self) -> i64 {
        (self.page - 1) * self.per_page
    }
}

/// One page of a query and the total it pages, on either backend: `$filtered` is the boxed,
/// filtered query (built twice: once for the rows, once for the count), `$order` orders it
/// (`|q| …`), and the rows are selected as `$row`. Every paged list of an area goes through
/// here, so paging, ordering and counting behave the same everywhere.
///
/// ```ignore
/// let (rows, total) = paged!(c, req, RoomRow, || rooms::table.filter(…).into_boxed(),
///     |q| q.order(rooms::id.asc()))?;
/// ```
#[macro_export]
macro_rules! paged {
    ($conn:expr, $req:expr, $row:ty, || $filtered:expr, |$q:ident| $order:expr) => {
        $crate::run!($conn, |c| {
            let filtered = || $filtered;
            let rows = {
                let $q = filtered();
                $order
            }
            .select(<$row>::as_select())
            .limit($req.per_page)
            .offset($req.offset())
            .load::<$row>(c)?;
            let total: i64 = filtered().count().get_result(c)?;
            ::diesel::QueryResult::Ok((rows, total))
        })
    };
}
