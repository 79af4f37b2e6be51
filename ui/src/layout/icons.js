// Icons used by the menu data (by name) and the frame. Only these are bundled.
import {
  Setting,
  Monitor,
  Document,
  Fold,
  Expand,
  UserFilled,
  Refresh,
  Close,
  HomeFilled,
  Location,
  OfficeBuilding,
  User,
  Avatar,
  Key,
  Lock,
  Tickets,
  Clock,
  DataAnalysis,
  Histogram,
} from '@element-plus/icons-vue'

export const icons = {
  Setting,
  Monitor,
  Document,
  Fold,
  Expand,
  UserFilled,
  Refresh,
  Close,
  HomeFilled,
  Location,
  OfficeBuilding,
  User,
  Avatar,
  Key,
  Lock,
  Tickets,
  Clock,
  DataAnalysis,
  Histogram,
}

export function iconFor(name) {
  return icons[name] || Document
}
