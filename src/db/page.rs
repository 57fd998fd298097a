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
    /// The first `per_page` rows, in the store's own order, with no search: a count (`1`), or
    /// a whole short list.
    pub fn first(per_page: i64) -> PageRequest {
        PageRequest {
            page: 1,
            per_page,
            like: None,
            needle: None,
            sort: None,
        }
    }

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

/// One page of an event's rows from a table with `event_id`, `id` and `search_text` columns,
/// searched by `?q=` and ordered by creation (`id`), newest first with `-created_at`.
#[macro_export]
macro_rules! paged_by_event {
    ($conn:expr, $req:expr, $event_id:expr, $table:ident, $row:ty) => {{
        let desc = $req.sort.as_ref().is_some_and(|(_, d)| *d);
        $crate::paged!(
            $conn,
            $req,
            $row,
            || {
                let mut q = $crate::db::schema::$table::table
                    .filter($crate::db::schema::$table::event_id.eq($event_id))
                    .into_boxed();
                if let Some(like) = &$req.like {
                    q = q.filter(
                        $crate::db::schema::$table::search_text
                            .like(like.clone())
                            .escape('\\'),
                    );
                }
                q
            },
            |q| if desc {
                q.order($crate::db::schema::$table::id.desc())
            } else {
                q.order($crate::db::schema::$table::id.asc())
            }
        )
    }};
}
